/* A shared library that is not a tide plugin: it loads fine but exports no
   tide_driver_entry, so the host must report the missing symbol with the file's path. */
#include <tide/driver.h>

TIDE_EXPORT int tide_not_a_driver(void) { return 42; }
