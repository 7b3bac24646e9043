"""Graph API error codes the channel treats specially, and what they mean."""

# Graph API error codes.
ERROR_RATE_LIMIT = 130429  # Cloud API throughput reached
ERROR_PAIR_RATE_LIMIT = 131056  # too many messages to the same user
ERROR_SOMETHING_WENT_WRONG = 131000
ERROR_REENGAGEMENT_WINDOW = 131047  # more than 24 h since the user last wrote
#: Codes for which waiting and sending again can help (besides HTTP 429 and 5xx).
RETRYABLE_ERROR_CODES = frozenset(
    {1, 2, ERROR_RATE_LIMIT, ERROR_PAIR_RATE_LIMIT, ERROR_SOMETHING_WENT_WRONG}
)
ERROR_HINTS = {
    ERROR_RATE_LIMIT: "rate limit hit (Cloud API throughput)",
    ERROR_PAIR_RATE_LIMIT: "pair rate limit hit (too many messages to this user)",
    ERROR_REENGAGEMENT_WINDOW: (
        "re-engagement message: the 24-hour customer service window is closed, "
        "only a template message can be sent"
    ),
}
