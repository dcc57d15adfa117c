from tests.agent_fixture import agent, agent_process  # noqa: F401
