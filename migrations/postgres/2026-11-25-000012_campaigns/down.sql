DROP INDEX comments_consultation_id;
DROP TABLE campaign_runs;
DROP TABLE campaign_members;
DROP TABLE campaign_clusters;
