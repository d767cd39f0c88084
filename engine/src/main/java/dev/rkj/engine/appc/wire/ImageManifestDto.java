package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Wire form of an image manifest (aci.md); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"acKind", "acVersion", "name", "labels", "app", "dependencies", "pathWhitelist", "annotations"})
public final class ImageManifestDto {
    public String acKind;
    public String acVersion;
    public String name;
    public List<NameValueDto> labels;
    public AppDto app;
    public List<DependencyDto> dependencies;
    public List<String> pathWhitelist;
    public List<NameValueDto> annotations;
}
