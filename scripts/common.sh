# Shared by scripts/test.sh and scripts/run-demo.sh (sourced, not run).
#
# flowkit_cmake_args: the configure arguments every scripted build uses.
#   - Ninja, and ccache as the compiler launcher when it is installed;
#   - with GCC 12, -Wno-restrict: at -O3 (Release) GCC 12 reports -Wrestrict false positives inside
#     libstdc++'s std::string concatenation ("..." + std::string(...)), GCC bugs 105329/105651,
#     which -Werror would turn into build failures of correct code. GCC 13 fixed them.
flowkit_cmake_args=(-G Ninja)
if command -v ccache >/dev/null 2>&1; then
  flowkit_cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
flowkit_cxx=${CXX:-c++}
if "$flowkit_cxx" -v 2>&1 | grep -q '^gcc version 12\.'; then
  flowkit_cmake_args+=("-DCMAKE_CXX_FLAGS=${CXXFLAGS:+$CXXFLAGS }-Wno-restrict")
fi
