package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** Wire form of a pod manifest (pods.md); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"acKind", "acVersion", "apps", "volumes", "isolators", "annotations", "ports",
    "userAnnotations", "userLabels"})
public final class PodManifestDto {
    public String acKind;
    public String acVersion;
    public List<RuntimeAppDto> apps;
    public List<VolumeDto> volumes;
    public List<IsolatorDto> isolators;
    public List<NameValueDto> annotations;
    public List<ExposedPortDto> ports;
    public Map<String, String> userAnnotations;
    public Map<String, String> userLabels;
}
