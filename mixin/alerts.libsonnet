// The rules of alerts/adobe-status-alerts.yml (through mixin/alerts.json, which
// scripts/generate_kubernetes.py writes from it: Debian's jsonnet 0.18 std.parseYaml cannot read
// multi-line strings), with the job selector and severities of _config.
local rules = import 'alerts.json';

{
  prometheusAlerts+:: {
    local config = $._config,
    local relabel(rule) = rule {
      expr: std.strReplace(rule.expr, 'job="adobe_status"', config.selector),
      [if std.objectHas(rule, 'labels') then 'labels']+: {
        [if std.objectHas(rule.labels, 'severity') then 'severity']: config.severities[rule.labels.severity],
      },
    },
    groups+: [
      group { rules: [relabel(rule) for rule in group.rules] }
      for group in rules.groups
    ],
  },
}
