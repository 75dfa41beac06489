// The ListResponse of every SCIM list (GET and .search of Users and Groups).
#include "scim/messages.h"
#include "server/scim_api/handlers.h"
#include "server/scim_api/render.h"

namespace allot::scim_api {

void RespondWithList(const scim::Result<RenderedPage>& page, const ListRequest& list,
                     http::Response& res) {
  if (!page) return RenderScimError(page.error(), res);
  res.status = 200;
  res.content_type = kScimContentType;
  res.body = RenderList(page->total, page->start_index, page->resources, page->next_cursor,
                        list.count_zero);
}

}  // namespace allot::scim_api
