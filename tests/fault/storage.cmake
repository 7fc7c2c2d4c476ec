# tests/fault/storage.cmake: the storage and hostile-input half of the fault-injection
# suite (issue 14; the process/MPI half is tests/fault/process.cmake). Each script is
# tests/fault/storage/fault_*.sh and becomes the ctest test of the same name; it gets
# RECUR (the program), POKE (h5_poke: damages one HDF5 element), ENOSPC_SHIM (an
# LD_PRELOAD library that fails writes with ENOSPC or EIO) and SAMPLES. Every test
# runs recur with 1 GiB of address space (ulimit -v) beyond what its libraries map at
# start (common.sh measures that). Disk full is real (a small
# tmpfs) where the test can mount one (root), and injected by the shim everywhere.
add_executable(h5_poke ${CMAKE_CURRENT_LIST_DIR}/storage/h5_poke.c)
target_link_libraries(h5_poke PRIVATE recur_deps)
add_library(enospc_shim SHARED ${CMAKE_CURRENT_LIST_DIR}/storage/enospc_shim.c)
target_link_libraries(enospc_shim PRIVATE dl)

file(GLOB RECUR_FAULT_STORAGE_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/storage/fault_*.sh)
foreach(script IN LISTS RECUR_FAULT_STORAGE_SCRIPTS)
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -E env RECUR=$<TARGET_FILE:recur> POKE=$<TARGET_FILE:h5_poke>
                   ENOSPC_SHIM=$<TARGET_FILE:enospc_shim> SAMPLES=${PROJECT_SOURCE_DIR}/datasets/samples
                   bash ${script})
  set_tests_properties(${name} PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
