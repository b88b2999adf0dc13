#include "core/time_zone.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>

namespace openpromo {
namespace {

int64_t read_be(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// Header counts of one TZif data block (RFC 8536 section 3.1).
struct Counts {
  int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Counts read_counts(const unsigned char* h) {
  return {read_be(h + 20, 4), read_be(h + 24, 4), read_be(h + 28, 4),
          read_be(h + 32, 4), read_be(h + 36, 4), read_be(h + 40, 4)};
}

int64_t block_size(const Counts& c, int time_bytes) {
  return c.timecnt * time_bytes + c.timecnt + c.typecnt * 6 + c.charcnt +
         c.leapcnt * (time_bytes + 4) + c.isstdcnt + c.isutcnt;
}

}  // namespace

TimeZone::TimeZone() {
  auto table = std::make_shared<Table>();
  table->name = "UTC";
  table_ = std::move(table);
}

Result<TimeZone> TimeZone::load(std::string_view name, std::string_view zoneinfo_dir) {
  if (!valid_zone_name(name)) {
    return Error::invalid_payload("unknown time zone: " + std::string(name));
  }
  std::ifstream in(std::string(zoneinfo_dir) + "/" + std::string(name), std::ios::binary);
  if (!in) return Error::invalid_payload("unknown time zone: " + std::string(name));
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  auto corrupt = [&] { return Error::internal("corrupt TZif file for " + std::string(name)); };
  if (data.size() < 44 ||
      std::string_view(reinterpret_cast<const char*>(data.data()), 4) != "TZif") {
    return corrupt();
  }
  const char version = static_cast<char>(data[4]);
  Counts counts = read_counts(data.data());
  size_t pos = 44;
  int time_bytes = 4;
  if (version >= '2') {  // skip the 32-bit block, read the 64-bit one
    pos += static_cast<size_t>(block_size(counts, 4));
    if (data.size() < pos + 44) return corrupt();
    counts = read_counts(data.data() + pos);
    pos += 44;
    time_bytes = 8;
  }
  if (counts.typecnt <= 0 ||
      data.size() < pos + static_cast<size_t>(block_size(counts, time_bytes))) {
    return corrupt();
  }
  const unsigned char* times = data.data() + pos;
  const unsigned char* indices = times + counts.timecnt * time_bytes;
  const unsigned char* types = indices + counts.timecnt;
  auto type_offset = [&](int64_t index) -> std::optional<int32_t> {
    if (index < 0 || index >= counts.typecnt) return std::nullopt;
    return static_cast<int32_t>(read_be(types + index * 6, 4));
  };

  auto table = std::make_shared<Table>();
  table->name = std::string(name);
  // Before the first transition: the first non-DST type (RFC 8536 3.2), else type 0.
  table->initial_offset = *type_offset(0);
  for (int64_t i = 0; i < counts.typecnt; ++i) {
    if (types[i * 6 + 4] == 0) {
      table->initial_offset = *type_offset(i);
      break;
    }
  }
  table->transitions.reserve(static_cast<size_t>(counts.timecnt));
  for (int64_t i = 0; i < counts.timecnt; ++i) {
    const auto offset = type_offset(indices[i]);
    if (!offset) return corrupt();
    table->transitions.push_back(read_be(times + i * time_bytes, time_bytes));
    table->offsets.push_back(*offset);
  }
  if (!std::is_sorted(table->transitions.begin(), table->transitions.end())) return corrupt();
  TimeZone zone;
  zone.table_ = std::move(table);
  return zone;
}

int32_t TimeZone::offset_seconds(Instant t) const {
  const int64_t seconds = t.millis >= 0 ? t.millis / 1000 : -((-t.millis + 999) / 1000);
  const auto& tr = table_->transitions;
  const auto it = std::upper_bound(tr.begin(), tr.end(), seconds);
  if (it == tr.begin()) return table_->initial_offset;
  return table_->offsets[static_cast<size_t>(it - tr.begin() - 1)];
}

LocalTime TimeZone::to_local(Instant t) const {
  const int64_t local_ms = t.millis + int64_t{offset_seconds(t)} * 1000;
  constexpr int64_t kDay = 86'400'000;
  int64_t days = local_ms / kDay;
  int64_t in_day = local_ms % kDay;
  if (in_day < 0) {
    in_day += kDay;
    --days;
  }
  LocalTime local;
  civil_from_days(days, local.year, local.month, local.day);
  local.days_since_epoch = days;
  local.hour = static_cast<int>(in_day / 3'600'000);
  local.minute = static_cast<int>(in_day / 60'000 % 60);
  local.second = static_cast<int>(in_day / 1000 % 60);
  local.millisecond = static_cast<int>(in_day % 1000);
  local.minute_of_day = local.hour * 60 + local.minute;
  local.day_of_week = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01: Thursday (4)
  return local;
}

}  // namespace openpromo
