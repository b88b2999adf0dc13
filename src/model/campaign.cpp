#include <array>
#include <cctype>
#include <utility>

#include "model/campaign.h"
#include "model/voucher.h"

namespace openpromo {
namespace {

template <class E, size_t N>
std::optional<E> lookup(const std::array<std::pair<std::string_view, E>, N>& table,
                        std::string_view s) {
  for (const auto& [name, value] : table) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <class E, size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, E>, N>& table, E e) {
  for (const auto& [name, value] : table) {
    if (value == e) return name;
  }
  return "";
}

constexpr std::array<std::pair<std::string_view, CampaignType>, 5> kCampaignTypes{{
    {"DISCOUNT_COUPONS", CampaignType::kDiscountCoupons},
    {"PROMOTION", CampaignType::kPromotion},
    {"GIFT_VOUCHERS", CampaignType::kGiftVouchers},
    {"REFERRAL_PROGRAM", CampaignType::kReferralProgram},
    {"LOYALTY_PROGRAM", CampaignType::kLoyaltyProgram},
}};

constexpr std::array<std::pair<std::string_view, CampaignMode>, 3> kModes{{
    {"AUTO_UPDATE", CampaignMode::kAutoUpdate},
    {"STATIC", CampaignMode::kStatic},
    {"STANDALONE", CampaignMode::kStandalone},
}};

constexpr std::array<std::pair<std::string_view, VoucherType>, 3> kVoucherTypes{{
    {"DISCOUNT_VOUCHER", VoucherType::kDiscount},
    {"GIFT_VOUCHER", VoucherType::kGift},
    {"LOYALTY_CARD", VoucherType::kLoyaltyCard},
}};

}  // namespace

std::string_view to_string(CampaignType t) {
  return name_of(kCampaignTypes, t);
}
std::optional<CampaignType> campaign_type_from_string(std::string_view s) {
  return lookup(kCampaignTypes, s);
}
std::string_view to_string(CampaignMode m) {
  return name_of(kModes, m);
}
std::optional<CampaignMode> campaign_mode_from_string(std::string_view s) {
  return lookup(kModes, s);
}
std::string_view to_string(VoucherType t) {
  return name_of(kVoucherTypes, t);
}
std::optional<VoucherType> voucher_type_from_string(std::string_view s) {
  return lookup(kVoucherTypes, s);
}

std::string code_key(std::string_view code, bool case_sensitive) {
  std::string key(code);
  if (!case_sensitive) {
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

}  // namespace openpromo
