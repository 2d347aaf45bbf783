//! The province's figures in the browser (`/bao-cao`): the same tables `hoso report thong-ke`
//! writes — models and điển hình by locality, ratings, the statistics form — for a province and
//! a period, with the workbook to download. For the province's and the centre's accounts only:
//! a commune's person sees its own cases, not the province's figures by commune.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::auth::User;
use super::pages::{layout, urlencode};
use super::{Shared, WebError};
use crate::report::{Period, TongHop};

#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    tinh: String,
    #[serde(default)]
    ky: String,
}

/// The province a person may read the figures of: their own, or any from the centre.
fn province_of(user: &User, asked: &str) -> Result<String, WebError> {
    let agency = user.account.agency.as_str();
    if agency.contains('/') {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "Báo cáo của tỉnh dành cho tài khoản cấp tỉnh hoặc trung ương; tài khoản cấp xã \
             xem hồ sơ của mình ở trang Hồ sơ.",
        ));
    }
    if agency == crate::accounts::CENTRAL {
        return Ok(asked.trim().to_string());
    }
    if !asked.trim().is_empty() && asked.trim() != agency {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            format!("Tài khoản của {agency} chỉ xem báo cáo của {agency}."),
        ));
    }
    Ok(agency.to_string())
}

/// The figures asked for, or `None` when the form is not filled yet.
async fn figures(
    state: &Shared,
    user: &User,
    q: &ReportQuery,
) -> Result<Option<TongHop>, WebError> {
    let province = province_of(user, &q.tinh)?;
    let Some(dia_ban) = state.dia_ban.clone() else {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            "Máy chủ chưa có tệp địa bàn: khởi động hoso serve với --dia-ban TỆP (mỗi tỉnh một tệp).",
        ));
    };
    if province.is_empty() || q.ky.trim().is_empty() {
        return Ok(None);
    }
    let period = Period::parse(q.ky.trim())?;
    let today = chrono::Local::now().date_naive();
    // Judging every case's deadlines takes a core for a while: one report per core at a time.
    let t = state
        .run_heavy(None, move |app| {
            app.tong_hop(&dia_ban, &province, &period, None, today)
        })
        .await?;
    Ok(Some(t))
}

pub async fn page(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let t = figures(&state, &user, &q).await?;
    let provinces: Vec<(String, String)> = state
        .dia_ban
        .as_ref()
        .map(|d| {
            d.provinces()
                .map(|p| (p.province.clone(), p.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let central = user.account.agency == crate::accounts::CENTRAL;
    let chosen = if central {
        q.tinh.trim().to_string()
    } else {
        user.account.agency.clone()
    };
    let xlsx = format!(
        "/bao-cao.xlsx?tinh={}&ky={}",
        urlencode(&chosen),
        urlencode(q.ky.trim())
    );
    Ok(layout(
        Some(&user),
        "Báo cáo của tỉnh",
        html! {
            form.search method="get" action="/bao-cao" {
                div {
                    label for="tinh" { "Tỉnh" }
                    select #tinh name="tinh" disabled[!central] {
                        @for (id, name) in &provinces {
                            option value=(id) selected[*id == chosen] { (name) }
                        }
                    }
                    @if !central { input type="hidden" name="tinh" value=(chosen); }
                }
                div {
                    label for="ky" { "Kỳ (2024: 01/11/2023–31/10/2024; 2024-H1: 6 tháng đầu năm)" }
                    input #ky name="ky" value=(q.ky) placeholder="2024" required;
                }
                button type="submit" { "Xem số liệu" }
            }
            @if let Some(t) = &t {
                p {
                    (crate::text::sentence_start(&t.tinh)) ", " (t.ky.label) " (" (super::pages::date(t.ky.from)) "–" (super::pages::date(t.ky.to)) "): "
                    (t.tong.mo_hinh.dang_hoat_dong) " mô hình và " (t.tong.dien_hinh.dang_hoat_dong)
                    " điển hình đang hoạt động; " (t.dia_ban_co_mo_hinh) "/" (t.so_dia_ban) " " (t.cap)
                    " có mô hình, điển hình; " (t.tong.bao_cao_tre_han) " kỳ báo cáo trễ hạn. "
                    a href=(xlsx) { "Tải bảng thống kê (XLSX)" }
                }
                h2 { "Mô hình, điển hình theo địa bàn" }
                div.scroll { table #theo-dia-ban {
                    thead { tr {
                        th { "Địa bàn (" (t.cap) ")" } th { "Mô hình hoạt động" } th { "Mới" }
                        th { "Kết thúc" } th { "Nhân rộng" } th { "Đang xây dựng" }
                        th { "Điển hình hoạt động" } th { "Báo cáo trễ hạn" }
                    } }
                    tbody {
                        @for r in t.dong.iter().chain(std::iter::once(&t.tong)) {
                            tr.total[std::ptr::eq(r, &t.tong)] {
                                td { (r.dia_ban) }
                                td.num { (r.mo_hinh.dang_hoat_dong) } td.num { (r.mo_hinh.moi) }
                                td.num { (r.mo_hinh.ket_thuc) } td.num { (r.mo_hinh.nhan_rong) }
                                td.num { (r.mo_hinh.dang_xay_dung) } td.num { (r.dien_hinh.dang_hoat_dong) }
                                td.num { (r.bao_cao_tre_han) }
                            }
                        }
                    }
                } }
                h2 { "Xếp loại mô hình" }
                div.scroll { table #xep-loai {
                    thead { tr {
                        th { "Địa bàn" } th { "Tốt" } th { "Khá" } th { "Trung bình" } th { "Yếu" }
                        th { "Khá trở lên (%)" }
                    } }
                    tbody {
                        @for r in t.dong.iter().chain(std::iter::once(&t.tong)) {
                            tr.total[std::ptr::eq(r, &t.tong)] {
                                td { (r.dia_ban) }
                                td.num { (r.xep_loai.tot) } td.num { (r.xep_loai.kha) }
                                td.num { (r.xep_loai.trung_binh) } td.num { (r.xep_loai.yeu) }
                                td.num { (crate::report::bang::so(r.xep_loai.ty_le_kha_tro_len)) }
                            }
                        }
                    }
                } }
                @if let Some(form) = &t.bang {
                    h2 { (form.title) }
                    p { "Cộng từ mẫu thống kê của " (t.tong.don_vi_bao_cao) " mô hình báo cáo trong kỳ." }
                    div.scroll { table #chi-tieu {
                        thead { tr { th { "Chỉ tiêu" } th { "Đơn vị" } th { "Toàn tỉnh" } } }
                        tbody { @for i in &form.indicators { tr {
                            td { (i.label) } td { (i.unit) }
                            td.num { (crate::report::bang::so(t.tong.thong_ke.get(&i.id).copied().unwrap_or(0.0))) }
                        } } }
                    } }
                }
            }
        },
    )
    .into_response())
}

/// The workbook of the figures, as `hoso report thong-ke --format xlsx` writes it.
pub async fn xlsx(
    State(state): State<Shared>,
    user: User,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let Some(t) = figures(&state, &user, &q).await? else {
        return Err(WebError::new(
            StatusCode::BAD_REQUEST,
            "Chọn tỉnh và kỳ báo cáo.",
        ));
    };
    let bytes = crate::render::xlsx::workbook(
        &crate::report::bang::sheets(&t),
        &format!("Bảng thống kê {} {}", t.tinh, t.ky.label),
        "hoso",
        t.ky.to,
    )?;
    let name = format!("bang-thong-ke-{}-{}.xlsx", t.ma_tinh, q.ky.trim());
    Ok(super::files::download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        false,
    ))
}
