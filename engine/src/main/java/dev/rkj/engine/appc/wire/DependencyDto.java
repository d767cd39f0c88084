package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Wire form of a dependency (aci.md "dependencies"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"imageName", "imageID", "labels", "size"})
public final class DependencyDto {
    public String imageName;
    public String imageID;
    public List<NameValueDto> labels;
    public Long size;
}
