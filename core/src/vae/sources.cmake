# Sources of the VAE part of latentbrush_core (LibTorch).
set(LATENTBRUSH_VAE_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/SafetensorsTorch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/VaeLoader.cpp
)
