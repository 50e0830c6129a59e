// Umbrella header: everything a host or component author needs.
#pragma once

#include "flowkit/clock.h"
#include "flowkit/diagnostics.h"
#include "flowkit/flow.h"
#include "flowkit/json.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/status.h"
#include "flowkit/transform.h"
#include "flowkit/version.h"
