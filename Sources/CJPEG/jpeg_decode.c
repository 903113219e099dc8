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
