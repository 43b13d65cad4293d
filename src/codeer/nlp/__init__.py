"""Dutch text processing: lemmas, the offline spaCy pipeline, coding suggestions, evaluation.

Importing this package (or ``lemmas``, ``suggestions``, ``evaluation``) never imports spaCy;
only building the pipeline does (``codeer.nlp.pipeline.get_pipeline``), once per process.
"""
