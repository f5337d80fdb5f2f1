# Sources of the VAE part of latentbrush_core (LibTorch): one file per family, the weight-layout
# detection, the device/dtype policy, tiling, and the loader behind lb::Vae.
set(LATENTBRUSH_VAE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/SafetensorsTorch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/AutoencoderKL.cpp
  ${CMAKE_CURRENT_LIST_DIR}/CpuKernels.cpp
  ${CMAKE_CURRENT_LIST_DIR}/CudaGlue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/Taesd.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeDevice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeFamilies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeGraphs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeKeys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeLayers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeLoader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeTiling.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeWeights.cpp
)

# CUDA-only queries (free device memory, compute capability) are compiled where LibTorch has CUDA.
if(TORCH_CUDA_LIBRARIES)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/VaeDevice.cpp
                              ${CMAKE_CURRENT_LIST_DIR}/VaeGraphs.cpp PROPERTIES
                              COMPILE_DEFINITIONS LATENTBRUSH_TORCH_CUDA=1)
endif()
