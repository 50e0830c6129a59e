#include "flowkit/version.h"

namespace flowkit {

const char* Version() { return "0.1.0"; }

}  // namespace flowkit
