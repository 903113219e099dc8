#ifndef LINESIDE_CJPEG_H
#define LINESIDE_CJPEG_H
#include <stddef.h>
#include <stdint.h>

/// Decodes a JPEG held in memory with libjpeg-turbo. libjpeg reports errors by longjmp, which
/// Swift cannot catch, so the whole decode lives here behind setjmp.
/// On success returns 0 and sets *pixels (malloc'd, free with free()), *width, *height and
/// *channels (1 for greyscale, 3 for RGB: CMYK and others are converted to RGB by libjpeg where
/// it can). On failure returns -1 and writes a one-line reason into `message`.
int lineside_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels,
                         uint8_t **pixels, int *width, int *height, int *channels,
                         char *message, size_t message_size);

/// Encodes 8-bit grey (channels 1) or RGB (channels 3) pixels as JPEG at `quality` (1...100).
/// On success returns 0 and sets *out (malloc'd, free with free()) and *out_size; on failure -1
/// and a one-line reason in `message`.
int lineside_jpeg_encode(const uint8_t *pixels, int width, int height, int channels, int quality,
                         uint8_t **out, size_t *out_size, char *message, size_t message_size);

#endif
