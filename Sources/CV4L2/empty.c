// Header-only shim: see include/CV4L2.h.
