-- Tasks finished on the file-system store recorded `file:<path of the data directory>` as their
-- bucket, and partners saw it: they now name that store `local`, as new tasks do.
UPDATE attestation_tasks SET s3_bucket = 'local' WHERE s3_bucket LIKE 'file:%';
