-- The store's schema as the last release without migrations made it on sqlite
-- (Store.create_schema: SQLAlchemy's create_all), frozen for the upgrade test
-- (tests/unit/radar/test_schema.py). Never edit: it is what stores in the field hold.

CREATE TABLE alert_groups (
	group_key VARCHAR(64) NOT NULL,
	rule VARCHAR(200) NOT NULL,
	labels JSON NOT NULL,
	created_at BIGINT NOT NULL,
	next_flush_at BIGINT NOT NULL,
	last_flush_at BIGINT,
	incident_id VARCHAR(64),
	held_until BIGINT,
	PRIMARY KEY (group_key)
);

CREATE INDEX ix_alert_groups_next_flush ON alert_groups (next_flush_at);

CREATE TABLE alerts (
	fingerprint VARCHAR(64) NOT NULL,
	group_key VARCHAR(64) NOT NULL,
	rule VARCHAR(200) NOT NULL,
	signal_id VARCHAR(64) NOT NULL,
	labels JSON NOT NULL,
	severity INTEGER NOT NULL,
	status VARCHAR(16) NOT NULL,
	starts_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	ends_at BIGINT,
	closed BOOLEAN NOT NULL,
	signal JSON NOT NULL,
	PRIMARY KEY (fingerprint)
);

CREATE INDEX ix_alerts_group ON alerts (group_key, closed);

CREATE TABLE notifications (
	id VARCHAR(64) NOT NULL,
	group_key VARCHAR(64) NOT NULL,
	incident_id VARCHAR(64),
	receiver VARCHAR(200) NOT NULL,
	kind VARCHAR(32) NOT NULL,
	firing JSON NOT NULL,
	status VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	sent_at BIGINT,
	answer TEXT,
	last_error TEXT,
	payload JSON NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_notifications_due ON notifications (status, next_attempt_at);

CREATE INDEX ix_notifications_incident_receiver ON notifications (incident_id, receiver, created_at);

CREATE TABLE incidents (
	id VARCHAR(64) NOT NULL,
	type VARCHAR(32) NOT NULL,
	title TEXT NOT NULL,
	status VARCHAR(16) NOT NULL,
	severity INTEGER NOT NULL,
	owner VARCHAR(200),
	"key" JSON,
	opened_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	resolved_at BIGINT,
	data JSON,
	group_key VARCHAR(64),
	rule VARCHAR(200),
	acknowledged_at BIGINT,
	acknowledged_by VARCHAR(200),
	resolved_by VARCHAR(200),
	version INTEGER NOT NULL,
	published_version INTEGER NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_incidents_status ON incidents (status);

CREATE INDEX ix_incidents_group ON incidents (group_key);

CREATE TABLE incident_events (
	id INTEGER NOT NULL,
	incident_id VARCHAR(64) NOT NULL,
	at BIGINT NOT NULL,
	kind VARCHAR(32) NOT NULL,
	actor VARCHAR(200) NOT NULL,
	message TEXT NOT NULL,
	data JSON,
	PRIMARY KEY (id)
);

CREATE INDEX ix_incident_events_incident ON incident_events (incident_id, id);

CREATE TABLE events (
	id VARCHAR(64) NOT NULL,
	channel VARCHAR(16) NOT NULL,
	source VARCHAR(200) NOT NULL,
	external_id VARCHAR(500) NOT NULL,
	text TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	ingested_at BIGINT NOT NULL,
	scored_at BIGINT NOT NULL,
	stored_at BIGINT NOT NULL,
	title TEXT,
	author VARCHAR(200),
	product VARCHAR(200),
	shop VARCHAR(200),
	region VARCHAR(100),
	segment VARCHAR(100),
	rating INTEGER,
	nps INTEGER,
	csat INTEGER,
	reach INTEGER,
	url TEXT,
	thread_id VARCHAR(500),
	reply_to VARCHAR(500),
	is_staff_reply BOOLEAN NOT NULL,
	lang VARCHAR(8),
	duplicate_of VARCHAR(64),
	attributes JSON,
	sentiment FLOAT NOT NULL,
	sentiment_label VARCHAR(3) NOT NULL,
	topics JSON,
	stage VARCHAR(16),
	department VARCHAR(100),
	is_complaint BOOLEAN NOT NULL,
	severity INTEGER NOT NULL,
	crisis_terms JSON,
	engine VARCHAR(32),
	PRIMARY KEY (id)
);

CREATE INDEX ix_events_channel_created ON events (channel, created_at);

CREATE INDEX ix_events_created ON events (created_at);

CREATE INDEX ix_events_product_created ON events (product, created_at);

CREATE INDEX ix_events_thread ON events (thread_id);

CREATE INDEX ix_events_region_created ON events (region, created_at);

CREATE INDEX ix_events_shop_created ON events (shop, created_at);

CREATE INDEX ix_events_stored ON events (stored_at);

CREATE INDEX ix_events_duplicate_of ON events (duplicate_of) WHERE duplicate_of IS NOT NULL;

CREATE INDEX ix_events_reply_to ON events (reply_to);

CREATE TABLE event_topics (
	event_id VARCHAR(64) NOT NULL,
	topic VARCHAR(64) NOT NULL,
	created_at BIGINT NOT NULL,
	is_complaint BOOLEAN NOT NULL,
	PRIMARY KEY (event_id, topic)
);

CREATE INDEX ix_event_topics_created ON event_topics (created_at);

CREATE INDEX ix_event_topics_topic_created ON event_topics (topic, created_at);

CREATE TABLE deadletters (
	id VARCHAR(64) NOT NULL,
	reason VARCHAR(100) NOT NULL,
	message TEXT NOT NULL,
	stage VARCHAR(16) NOT NULL,
	channel VARCHAR(16),
	source VARCHAR(200),
	locator TEXT,
	original TEXT NOT NULL,
	original_encoding VARCHAR(8) NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_deadletters_created ON deadletters (created_at);

CREATE INDEX ix_deadletters_reason ON deadletters (reason);

CREATE TABLE heartbeats (
	source VARCHAR(200) NOT NULL,
	channel VARCHAR(16) NOT NULL,
	at BIGINT NOT NULL,
	status VARCHAR(16) NOT NULL,
	last_success_at BIGINT,
	records_total INTEGER NOT NULL,
	lag_seconds FLOAT,
	message TEXT,
	PRIMARY KEY (source)
);

CREATE TABLE user_actions (
	id INTEGER NOT NULL,
	at BIGINT NOT NULL,
	user VARCHAR(200) NOT NULL,
	action VARCHAR(64) NOT NULL,
	target VARCHAR(200),
	detail TEXT,
	data JSON,
	PRIMARY KEY (id)
);

CREATE INDEX ix_user_actions_at ON user_actions (at);

CREATE INDEX ix_user_actions_user ON user_actions (user, at);

CREATE TABLE event_claims (
	id VARCHAR(64) NOT NULL,
	part INTEGER NOT NULL,
	record_offset BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_event_claims_partition_created ON event_claims (part, created_at);

CREATE TABLE hourly_stats (
	hour BIGINT NOT NULL,
	channel VARCHAR(16) NOT NULL,
	volume INTEGER NOT NULL,
	complaints INTEGER NOT NULL,
	sentiment_sum FLOAT NOT NULL,
	csat_n INTEGER NOT NULL,
	csat_satisfied INTEGER NOT NULL,
	nps_n INTEGER NOT NULL,
	promoters INTEGER NOT NULL,
	detractors INTEGER NOT NULL,
	staff_replies INTEGER NOT NULL,
	sla_complaints INTEGER NOT NULL,
	sla_answered INTEGER NOT NULL,
	PRIMARY KEY (hour, channel)
);

CREATE TABLE rollup_state (
	name VARCHAR(64) NOT NULL,
	watermark BIGINT,
	params VARCHAR(500) NOT NULL,
	refreshed_at BIGINT NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE daily_topics (
	day BIGINT NOT NULL,
	topic VARCHAR(64) NOT NULL,
	product VARCHAR(200) NOT NULL,
	region VARCHAR(100) NOT NULL,
	messages INTEGER NOT NULL,
	complaints INTEGER NOT NULL,
	PRIMARY KEY (day, topic, product, region)
);

CREATE INDEX ix_daily_topics_topic_day ON daily_topics (topic, day);

CREATE TABLE daily_scope (
	day BIGINT NOT NULL,
	product VARCHAR(200) NOT NULL,
	region VARCHAR(100) NOT NULL,
	messages INTEGER NOT NULL,
	complaints INTEGER NOT NULL,
	PRIMARY KEY (day, product, region)
);

CREATE INDEX ix_daily_scope_product_day ON daily_scope (product, day);

CREATE TABLE daily_values (
	day BIGINT NOT NULL,
	dimension VARCHAR(16) NOT NULL,
	value VARCHAR(200) NOT NULL,
	messages INTEGER NOT NULL,
	PRIMARY KEY (day, dimension, value)
);

CREATE TABLE pipeline_stats (
	id INTEGER NOT NULL,
	service VARCHAR(100) NOT NULL,
	consumer_group VARCHAR(200) NOT NULL,
	topic VARCHAR(200) NOT NULL,
	at BIGINT NOT NULL,
	lag INTEGER NOT NULL,
	records_per_s FLOAT NOT NULL,
	records_total INTEGER,
	PRIMARY KEY (id)
);

CREATE INDEX ix_pipeline_stats_at ON pipeline_stats (at);

CREATE INDEX ix_pipeline_stats_group_at ON pipeline_stats (service, consumer_group, topic, at);

CREATE TABLE improvement_actions (
	id INTEGER NOT NULL,
	title TEXT NOT NULL,
	topic VARCHAR(64),
	product VARCHAR(200),
	region VARCHAR(100),
	shipped_at BIGINT NOT NULL,
	owner VARCHAR(200) NOT NULL,
	created_by VARCHAR(200) NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_improvement_actions_shipped ON improvement_actions (shipped_at);

CREATE TABLE text_samples (
	event_id VARCHAR(64) NOT NULL,
	created_at BIGINT NOT NULL,
	product VARCHAR(200),
	sampled BOOLEAN NOT NULL,
	question BOOLEAN NOT NULL,
	text TEXT NOT NULL,
	PRIMARY KEY (event_id)
);

CREATE INDEX ix_text_samples_product_created ON text_samples (product, created_at);

CREATE INDEX ix_text_samples_created ON text_samples (created_at);

CREATE TABLE signals (
	id VARCHAR(64) NOT NULL,
	type VARCHAR(32) NOT NULL,
	"key" JSON NOT NULL,
	key_text VARCHAR(300) NOT NULL,
	status VARCHAR(16) NOT NULL,
	window_start BIGINT NOT NULL,
	window_end BIGINT NOT NULL,
	observed FLOAT NOT NULL,
	expected FLOAT NOT NULL,
	score FLOAT NOT NULL,
	statistic VARCHAR(64) NOT NULL,
	severity INTEGER NOT NULL,
	top_topics JSON,
	crisis_terms JSON,
	samples JSON,
	detected_at BIGINT NOT NULL,
	details JSON,
	PRIMARY KEY (id)
);

CREATE INDEX ix_signals_detected ON signals (detected_at);

CREATE INDEX ix_signals_type_status ON signals (type, status);

CREATE TABLE signal_points (
	signal_id VARCHAR(64) NOT NULL,
	window_start BIGINT NOT NULL,
	window_end BIGINT NOT NULL,
	observed FLOAT NOT NULL,
	expected FLOAT NOT NULL,
	score FLOAT NOT NULL,
	status VARCHAR(16) NOT NULL,
	PRIMARY KEY (signal_id, window_start)
);

CREATE TABLE window_counts (
	dim VARCHAR(300) NOT NULL,
	size VARCHAR(8) NOT NULL,
	window_start BIGINT NOT NULL,
	volume INTEGER NOT NULL,
	complaints INTEGER NOT NULL,
	negatives INTEGER NOT NULL,
	reach_complaints FLOAT NOT NULL,
	sentiment_sum FLOAT NOT NULL,
	csat_sum INTEGER NOT NULL,
	csat_n INTEGER NOT NULL,
	nps_n INTEGER NOT NULL,
	promoters INTEGER NOT NULL,
	detractors INTEGER NOT NULL,
	topics JSON,
	PRIMARY KEY (dim, size, window_start)
);

CREATE INDEX ix_window_counts_size_start ON window_counts (size, window_start);

CREATE TABLE silences (
	id VARCHAR(64) NOT NULL,
	matchers JSON NOT NULL,
	starts_at BIGINT NOT NULL,
	ends_at BIGINT NOT NULL,
	created_by VARCHAR(200) NOT NULL,
	comment TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	expired_by VARCHAR(200),
	notice_sent_at BIGINT,
	PRIMARY KEY (id)
);

CREATE INDEX ix_silences_ends ON silences (ends_at);

CREATE TABLE digest_log (
	id VARCHAR(64) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	due_at BIGINT NOT NULL,
	receiver VARCHAR(200) NOT NULL,
	status VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	updated_at BIGINT NOT NULL,
	answer TEXT,
	last_error TEXT,
	PRIMARY KEY (id)
);
