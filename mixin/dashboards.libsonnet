// The dashboards of dashboards/, read from there (no copy). They select the job through their
// own `job` variable, so _config.selector does not apply to them.
{
  grafanaDashboards+:: {
    'adobe-status-overview.json':
      std.parseJson(importstr '../dashboards/adobe-status-overview.json'),
    'adobe-status-exporter.json':
      std.parseJson(importstr '../dashboards/adobe-status-exporter.json'),
  },
}
