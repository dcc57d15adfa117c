import pyblish.api


class CollectProfile(pyblish.api.ContextPlugin):
    """Ask the agent what the provider profile allows: models and their limits, colour
    spaces of the OCIO config, budget and balance.

    Reads: context.data["api"] (client.AgentAPI), context.data.get("profile", "").
    Writes: context.data["profile_info"] (unless a caller already provided it).
    """

    label = "Collect Provider Profile"
    order = pyblish.api.CollectorOrder + 0.1

    def process(self, context):
        if "profile_info" in context.data:
            return
        context.data["profile_info"] = context.data["api"].profile(context.data.get("profile", ""))
