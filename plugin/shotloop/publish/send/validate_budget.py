import pyblish.api

from ...errors import RecipeInvalid


class ValidateBudget(pyblish.api.ContextPlugin):
    """The batch's estimated cost fits the profile's budget and the account's balance.

    Reads: instance.data["estimated_credits"] of every instance, context.data["profile_info"]
    ("budget_remaining", "credit_balance"). Writes: context.data["estimated_credits"].
    """

    label = "Validate Budget"
    order = pyblish.api.ValidatorOrder + 0.3

    def process(self, context):
        total = sum(i.data.get("estimated_credits", 0.0) for i in context)
        context.data["estimated_credits"] = total
        info = context.data.get("profile_info", {})
        for key, what in (("budget_remaining", "the profile's remaining budget"),
                          ("credit_balance", "the account's credit balance")):
            limit = info.get(key)
            if limit is not None and total > limit:
                raise RecipeInvalid(
                    f"this batch is estimated at {total:.0f} credits, over {what} ({limit:.0f})",
                    field="batch.credits",
                    fix="send fewer shots, shorter durations or a cheaper model, or raise the budget",
                )
