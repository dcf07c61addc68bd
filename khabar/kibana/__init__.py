"""kibana."""
