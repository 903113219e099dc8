// Header-only target: see include/CV4L2Types.h.
