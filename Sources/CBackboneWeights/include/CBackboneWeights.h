#ifndef LINESIDE_CBACKBONEWEIGHTS_H
#define LINESIDE_CBACKBONEWEIGHTS_H
#include <stddef.h>
#include <stdint.h>

/// The int8 EfficientNet-Lite0 backbone (safetensors bytes), embedded at compile time with
/// C23 #embed from lite0-s16-int8.safetensors beside the C file; written by tools/export_backbone.py.
const uint8_t *lineside_backbone_bytes(void);
size_t lineside_backbone_size(void);

#endif
