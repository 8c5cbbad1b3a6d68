{{/* Name of the chart, 63 characters at most (a label value). */}}
{{- define "adobe-status-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the objects: the release name, with the chart name unless the release already
contains it; 63 characters at most (DNS-1123 labels, Service names). Objects with a suffix
(-dashboards, -web) take it off the 52 first characters, so they stay within 63 too.
*/}}
{{- define "adobe-status-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The full name with a suffix: "<fullname truncated to 52>-<suffix>". */}}
{{- define "adobe-status-exporter.suffixed" -}}
{{- printf "%s-%s" (include "adobe-status-exporter.fullname" .root | trunc 52 | trimSuffix "-") .suffix }}
{{- end }}

{{- define "adobe-status-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "adobe-status-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "adobe-status-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "adobe-status-exporter.labels" -}}
helm.sh/chart: {{ include "adobe-status-exporter.chart" . }}
{{ include "adobe-status-exporter.selectorLabels" . }}
app.kubernetes.io/component: exporter
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "adobe-status-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Secret with the Adobe credentials: the existing one, or the one the chart creates. */}}
{{- define "adobe-status-exporter.credentialsSecret" -}}
{{- .Values.credentials.existingSecret | default (include "adobe-status-exporter.fullname" .) }}
{{- end }}

{{- define "adobe-status-exporter.webConfigSecret" -}}
{{- .Values.webConfig.existingSecret | default (include "adobe-status-exporter.suffixed" (dict "root" . "suffix" "web")) }}
{{- end }}

{{/* What every probe gets: the named port, and HTTPS when the web config serves it. */}}
{{- define "adobe-status-exporter.probeBase" -}}
httpGet:
  port: metrics
  {{- if .Values.webConfig.tls }}
  scheme: HTTPS
  {{- end }}
{{- end }}
