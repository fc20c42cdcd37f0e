# The plugin SDK (SPEC §9): `cmake --install` puts the ABI header in include/tide/, and
# this CMake package in lib/cmake/tide/, so an out-of-tree driver builds with
#   find_package(tide 0.1 REQUIRED)
#   tide_add_driver(mydb mydb.c)          # tide-driver-mydb.so, linked to tide::driver_abi
# The tide binary, the plugins (lib/tide/plugins) and bin/tide-conformance are installed
# by their own folders' CMakeLists.
include(CMakePackageConfigHelpers)

set(TIDE_CMAKE_INSTALL_DIR lib/cmake/tide)
install(EXPORT tideTargets NAMESPACE tide:: DESTINATION ${TIDE_CMAKE_INSTALL_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/tideConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/sdk/tideConfig.cmake
                              INSTALL_DESTINATION ${TIDE_CMAKE_INSTALL_DIR})
# 0.x releases may change the package; the plugin ABI has its own versions (driver.h),
# checked by the host when it loads a plugin.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/sdk/tideConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/sdk/tideConfig.cmake ${CMAKE_BINARY_DIR}/sdk/tideConfigVersion.cmake
        DESTINATION ${TIDE_CMAKE_INSTALL_DIR})
