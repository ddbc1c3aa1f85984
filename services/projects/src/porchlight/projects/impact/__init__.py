"""What a completed project measurably did: layers' target-vs-control results
(``project.evaluated``), kept per project for the project's page and its priority's evaluation."""
