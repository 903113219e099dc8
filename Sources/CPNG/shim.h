// libpng 1.6 (libpng-dev) through its simplified API (png_image_*).
#include <png.h>
