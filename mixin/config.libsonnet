{
  _config+:: {
    // The scrape job's selector in the alert rules (alerts/ uses job="adobe_status", as the
    // ServiceMonitor of deploy/ and the Prometheus example set it).
    selector: 'job="adobe_status"',
    // The `severity` label values the rules carry: critical pages, warning opens a ticket,
    // info notifies nobody who is asleep. Map them to your Alertmanager's routing.
    severities: {
      critical: 'critical',
      warning: 'warning',
      info: 'info',
    },
  },
}
