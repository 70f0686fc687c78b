"""Loopback fakes of outside HTTP services, speaking their wire formats."""
