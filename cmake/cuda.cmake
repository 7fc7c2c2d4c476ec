# cuda.cmake: find the CUDA toolkit, cuBLAS and NCCL, and build the GPU backend
# (kernels/) as recur_gpu when RECUR_CUDA is ON, or AUTO and they are all present.
# Sets RECUR_HAVE_GPU. NCCL is looked up with an NCCL_HOME hint (env or cache).
set(RECUR_HAVE_GPU OFF)
if(NOT RECUR_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  find_package(CUDAToolkit QUIET)
  set(NCCL_HOME "$ENV{NCCL_HOME}" CACHE PATH "Where NCCL is installed")
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${NCCL_HOME}/include ${CUDAToolkit_INCLUDE_DIRS})
  find_library(NCCL_LIBRARY nccl HINTS ${NCCL_HOME}/lib ${NCCL_HOME}/lib64 ${CUDAToolkit_LIBRARY_DIR})
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND AND TARGET CUDA::cublas AND TARGET CUDA::cublasLt AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(RECUR_HAVE_GPU ON)
  elseif(RECUR_CUDA STREQUAL "ON")
    message(FATAL_ERROR "RECUR_CUDA=ON but the CUDA compiler, cuBLAS or NCCL was not found "
                        "(nvcc: '${CMAKE_CUDA_COMPILER}', NCCL: '${NCCL_INCLUDE_DIR}' '${NCCL_LIBRARY}'); "
                        "set NCCL_HOME or CUDAToolkit_ROOT, or use -DRECUR_CUDA=OFF")
  endif()
endif()

if(RECUR_HAVE_GPU)
  # The GPUs of this machine when it has any, otherwise every major architecture the
  # toolkit supports (a build host without a GPU, CI). Set before enable_language, which
  # would otherwise fill in the compiler's oldest default. Override with
  # -DCMAKE_CUDA_ARCHITECTURES=90 (H100) to build faster.
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
    execute_process(COMMAND nvidia-smi -L OUTPUT_VARIABLE _gpus RESULT_VARIABLE _rc ERROR_QUIET)
    if(_rc EQUAL 0 AND _gpus MATCHES "GPU")
      set(CMAKE_CUDA_ARCHITECTURES native)
    else()
      set(CMAKE_CUDA_ARCHITECTURES all-major)
    endif()
  endif()
  enable_language(CUDA)
  add_library(NCCL::nccl UNKNOWN IMPORTED)
  set_target_properties(NCCL::nccl PROPERTIES IMPORTED_LOCATION ${NCCL_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR})
  file(GLOB RECUR_GPU_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/*.cu
       ${PROJECT_SOURCE_DIR}/kernels/*.c)
  add_library(recur_gpu STATIC ${RECUR_GPU_SOURCES})
  target_include_directories(recur_gpu PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/kernels)
  target_link_libraries(recur_gpu PUBLIC CUDA::cudart CUDA::cublas CUDA::cublasLt NCCL::nccl recur_model)
  target_compile_options(recur_gpu PRIVATE
                         # C++20 for the ops table's designated initializers (CMake 3.25
                         # does not know nvcc's CUDA20 dialect flag)
                         $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20 -Werror=all-warnings>)
  target_compile_definitions(recur_gpu PUBLIC RECUR_HAVE_GPU)
  message(STATUS "recur: GPU backend ON (CUDA ${CUDAToolkit_VERSION}, NCCL ${NCCL_LIBRARY})")
else()
  message(STATUS "recur: GPU backend OFF (RECUR_CUDA=${RECUR_CUDA})")
endif()
