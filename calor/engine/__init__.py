"""The engine: runs stack operations (create, delete, rollback) as parallel walks of the resource graph.

``service.OrchestrationService`` is what the APIs call; ``worker.Worker`` claims jobs from
the queue and runs ``stack_operations``; ``resource_runner`` drives one resource's plugin.
"""
