/* libtenon: a plugin framework for C programs. Hosts include this header;
 * plugin authors include <tenon/plugin.h> only. */
#ifndef TENON_H
#define TENON_H

#include <tenon/common.h>
#include <tenon/error.h>
#include <tenon/alloc.h>
#include <tenon/plugin.h>
#include <tenon/descriptor.h>
#include <tenon/semver.h>
#include <tenon/options.h>
#include <tenon/registry.h>
#include <tenon/interface.h>
#include <tenon/config.h>
#include <tenon/cache.h>
#include <tenon/trust.h>

#endif
