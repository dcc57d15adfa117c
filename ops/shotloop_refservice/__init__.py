"""ShotLoop's reference generation service: Runway's developer API contract on loopback.

The official ``runwayml`` SDK works against it with only ``base_url`` changed. It makes
real, deterministic H.264 movies from its inputs and can inject every fault the real
service shows. It is ShotLoop's default provider when no Runway key is configured and the
backbone of the tests.

    from shotloop_refservice.config import ServiceConfig, DEV_KEY
    from shotloop_refservice.server import RefService, main
    from shotloop_refservice.faults import FaultRule

Modules: config (settings), server (thread/CLI runner), app + guard + routes_* (HTTP),
tasks (lifecycle), account (credits, limits, usage), validate + assets + media + uploads
(request checks and inputs), render + draw + outputs (movies), faults, journal
(inspection), signing (tokens), connections (dropped/truncated connections).
Nothing is imported here, so ``import shotloop_refservice`` stays cheap.
"""
