#include "scim/error.h"
