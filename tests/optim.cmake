# tests/optim.cmake: the optimizers, clipping and schedules against torch.optim
# (tests/fixtures/optim_reference.h5 from tools/make_optim_fixtures.py), in the float32
# build (recur_app) and a float64 one: recur_train64 compiles only the optimizer, schedule
# and config sources with RECUR_REAL_DOUBLE, over recur_model64.
add_library(recur_train64 STATIC
            ${PROJECT_SOURCE_DIR}/src/train/optimizer.c ${PROJECT_SOURCE_DIR}/src/train/schedule.c
            ${PROJECT_SOURCE_DIR}/src/config/config.c ${PROJECT_SOURCE_DIR}/src/config/key_table.c)
target_link_libraries(recur_train64 PUBLIC recur_model64)

foreach(kind IN ITEMS 32 64)
  set(lib recur_app)
  if(kind STREQUAL "64")
    set(lib recur_train64)
  endif()
  add_executable(test_optim_f${kind} test_optim.c)
  target_link_libraries(test_optim_f${kind} PRIVATE ${lib})
  add_test(NAME optim_f${kind}
           COMMAND test_optim_f${kind} ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/optim_reference.h5)
endforeach()
