// adobe_status_exporter as a monitoring mixin: prometheusAlerts (alerts/) and
// grafanaDashboards (dashboards/), configured through _config (config.libsonnet). No recording
// rules: every dashboard and alert query is cheap on the exporter's few series.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards.libsonnet')
