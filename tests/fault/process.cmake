# process.cmake: the fault-injection tests of processes, signals, MPI start-up and resume
# (issue 14): each script reproduces one fault and checks what docs/TRAINING.md ("Faults:
# processes, signals and resume") and docs/PARALLEL.md promise. Every test uses a tiny
# model on a small generated corpus (well under 1 GiB, seconds each).
# LD_PRELOAD shim: a chosen rank stops itself in MPI_Init (fault_process_startup).
add_library(stop_in_mpi_init SHARED ${CMAKE_CURRENT_LIST_DIR}/stop_in_mpi_init.c)
target_link_libraries(stop_in_mpi_init PRIVATE dl)
set(RECUR_FAULT_ENV RECUR=$<TARGET_FILE:recur> COMPARE=$<TARGET_FILE:compare_checkpoints>
    CRASH_SHIM=$<TARGET_FILE:crash_on_rename> STOP_SHIM=$<TARGET_FILE:stop_in_mpi_init>)
foreach(name IN ITEMS process_sigterm resume_metrics resume_kill_loop resume_settings process_startup process_hang process_agreement metrics_mape torch_warmup bce_loss)
  add_test(NAME fault_${name}
           COMMAND ${CMAKE_COMMAND} -E env ${RECUR_FAULT_ENV}
                   bash ${CMAKE_CURRENT_LIST_DIR}/fault_${name}.sh ${PROJECT_SOURCE_DIR})
  set_tests_properties(fault_${name} PROPERTIES TIMEOUT 120)
endforeach()
set_tests_properties(fault_torch_warmup PROPERTIES SKIP_RETURN_CODE 77)
