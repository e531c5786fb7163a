-- Reserved: filled in by the change that needs it (migrations are numbered contiguously).
SELECT 1;
