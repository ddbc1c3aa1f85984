"""Target vs control, DICE's last step, as a capability: a completed micro-project with a place
(``project.completed``) is compared with matched control cells of its district by
``comparison`` (the logic), re-evaluated daily while its after period fills, served at
``GET /v1/evaluations/projects/{project_id}`` and announced as ``project.evaluated``."""
