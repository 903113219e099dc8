// Embeds the exported backbone in the binary so it needs no file beside it.
#include "CBackboneWeights.h"

#if __has_embed("lite0-s16-int8.safetensors") == __STDC_EMBED_FOUND__
static const uint8_t backbone[] = {
#embed "lite0-s16-int8.safetensors"
};
const uint8_t *lineside_backbone_bytes(void) { return backbone; }
size_t lineside_backbone_size(void) { return sizeof backbone; }
#else
// No export yet (or an empty file): the loader reports that the backbone is missing.
const uint8_t *lineside_backbone_bytes(void) { return NULL; }
size_t lineside_backbone_size(void) { return 0; }
#endif
