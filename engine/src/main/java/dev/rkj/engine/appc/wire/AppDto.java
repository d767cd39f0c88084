package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/** Wire form of an app section (aci.md "app"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"exec", "user", "group", "supplementaryGIDs", "eventHandlers", "workingDirectory",
    "environment", "isolators", "mountPoints", "ports", "userAnnotations", "userLabels"})
public final class AppDto {
    public List<String> exec;
    public String user;
    public String group;
    public List<Long> supplementaryGIDs;
    public List<EventHandlerDto> eventHandlers;
    public String workingDirectory;
    public List<NameValueDto> environment;
    public List<IsolatorDto> isolators;
    public List<MountPointDto> mountPoints;
    public List<PortDto> ports;
    public Map<String, String> userAnnotations;
    public Map<String, String> userLabels;
}
