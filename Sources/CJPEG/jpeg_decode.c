#include "CJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct lineside_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
};

static void lineside_jpeg_error_exit(j_common_ptr cinfo) {
    struct lineside_jpeg_error *err = (struct lineside_jpeg_error *)cinfo->err;
    longjmp(err->jump, 1);
}

/* Level -1 is a warning about corrupt or truncated data ("Premature end of JPEG file", "Corrupt
 * JPEG data"): libjpeg would go on and fill the rest with grey, so it ends the decode as an error.
 * Trace messages (level >= 0) are ignored. */
static void lineside_jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0) lineside_jpeg_error_exit(cinfo);
}

int lineside_jpeg_decode(const uint8_t *data, size_t size, size_t max_pixels,
                         uint8_t **pixels, int *width, int *height, int *channels,
                         char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct lineside_jpeg_error err;
    uint8_t *volatile out = NULL;

    *pixels = NULL;
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = lineside_jpeg_error_exit;
    err.base.emit_message = lineside_jpeg_message;
    if (setjmp(err.jump)) {
        char text[JMSG_LENGTH_MAX];
        err.base.format_message((j_common_ptr)&cinfo, text);
        snprintf(message, message_size, "%s", text);
        jpeg_destroy_decompress(&cinfo);
        free(out);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height, c = (size_t)cinfo.output_components;
    if (w == 0 || h == 0 || (c != 1 && c != 3)) {
        snprintf(message, message_size, "unsupported JPEG geometry %zux%zu with %zu components", w, h, c);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    if (w * h > max_pixels) {
        snprintf(message, message_size, "JPEG is %zux%zu, more than the %zu pixels allowed", w, h, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    out = malloc(w * h * c);
    if (!out) {
        snprintf(message, message_size, "out of memory for a %zux%zu JPEG", w, h);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = (JSAMPROW)(out + (size_t)cinfo.output_scanline * w * c);
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    *pixels = out;
    *width = (int)w;
    *height = (int)h;
    *channels = (int)c;
    return 0;
}

/* Encodes 8-bit grey (channels 1) or RGB (channels 3) pixels as a baseline JPEG in memory.
 * On success returns 0 and sets *out (malloc'd by libjpeg, free with free()) and *out_size. */
int lineside_jpeg_encode(const uint8_t *pixels, int width, int height, int channels, int quality,
                         uint8_t **out, size_t *out_size, char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    struct lineside_jpeg_error err;
    /* Address-taken (libjpeg updates it as the buffer grows), so it lives in memory across longjmp. */
    unsigned char *mem = NULL;
    unsigned long size = 0;

    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0 || width > 65500 || height > 65500 || (channels != 1 && channels != 3)) {
        snprintf(message, message_size, "cannot encode a %dx%d image with %d channels as JPEG", width, height, channels);
        return -1;
    }
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = lineside_jpeg_error_exit;
    if (setjmp(err.jump)) {
        char text[JMSG_LENGTH_MAX];
        err.base.format_message((j_common_ptr)&cinfo, text);
        snprintf(message, message_size, "%s", text);
        jpeg_destroy_compress(&cinfo);
        free(mem);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &mem, &size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = mem;
    *out_size = size;
    return 0;
}
