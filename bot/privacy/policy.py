"""The privacy policy's version and the purposes a person can consent to."""

POLICY_VERSION = "2026-11-27"
"""Bump when the policy text changes materially: everyone is asked to consent again."""

PURPOSE_INTERVIEW = "interview"
PURPOSE_MARKETING = "marketing"
REQUIRED_PURPOSES = (PURPOSE_INTERVIEW,)
MINIMUM_AGE = 16
