"""The `agent` and `agent_process` fixtures come from tests/agent_fixture.py (root conftest)."""
