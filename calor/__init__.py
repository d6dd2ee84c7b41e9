"""Calor: an orchestration service for OpenStack clouds, compatible with OpenStack Heat."""
