"""Health and readiness of the long-running services: /healthz, /readyz beside /metrics."""
