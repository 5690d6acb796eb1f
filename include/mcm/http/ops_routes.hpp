#pragma once
// The routes every process serves for operators and probes:
//   GET /metrics  the registry in Prometheus text format 0.0.4
//   GET /healthz  200 "ok" while the process can answer at all (liveness)
//   GET /readyz   200 "ok" when ready() is true, 503 "not ready" otherwise (readiness)
//
// Lifetime: the handlers keep a reference to `registry`, which must outlive the router.
// `ready` is called on every probe, on the server's executor: it must be cheap and not block.

#include <mcm/http/router.hpp>
#include <mcm/metrics/registry.hpp>

#include <functional>

namespace mcm::http {

void add_ops_routes(Router& router, const metrics::Registry& registry, std::function<bool()> ready);

}  // namespace mcm::http
