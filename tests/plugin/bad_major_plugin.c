/* A plugin built against a future ABI: its table says abi_major = TIDE_ABI_MAJOR + 1.
   The host must refuse it with a message naming the file, before it touches any other
   member, so every function pointer is left NULL on purpose. */
#include <tide/driver.h>

static const char *const kSchemes[] = {"badmajor", NULL};

static const tide_driver kDriver = {
    .abi_major = TIDE_ABI_MAJOR + 1,
    .abi_minor = 0,
    .struct_size = sizeof(tide_driver),
    .name = "badmajor",
    .version = "0.0.0",
    .schemes = kSchemes,
};

TIDE_EXPORT const tide_driver *tide_driver_entry(void) { return &kDriver; }
