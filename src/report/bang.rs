//! The figures as tables — one sheet each in the workbook, one CSV each — and as the data a
//! template prints, with numbers written the Vietnamese way (1.234; 66,7).

use serde_json::{Value, json};

use super::{Dong, TongHop};
use crate::render::xlsx::{Cell, Sheet};

fn n(v: u32) -> Cell {
    Cell::Number(f64::from(v))
}

/// The tables of a report, in the order of the workbook's sheets.
pub fn sheets(t: &TongHop) -> Vec<Sheet> {
    let place = format!("Địa bàn ({})", t.cap);
    let numbered = |rows: &[Dong], cells: &dyn Fn(&Dong) -> Vec<Cell>| -> Vec<Vec<Cell>> {
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![n(i as u32 + 1), Cell::from(r.dia_ban.as_str())];
                row.extend(cells(r));
                row
            })
            .chain(std::iter::once({
                let mut row = vec![Cell::Empty, Cell::from(t.tong.dia_ban.as_str())];
                row.extend(cells(&t.tong));
                row
            }))
            .collect()
    };
    let cols = |names: &[&str]| -> Vec<(String, f64)> {
        let mut c = vec![("TT".to_string(), 5.0), (place.clone(), 28.0)];
        c.extend(names.iter().map(|s| (s.to_string(), 14.0)));
        c
    };
    let mut out = vec![
        Sheet {
            name: "Mô hình theo địa bàn".into(),
            columns: cols(&[
                "Mô hình đang hoạt động",
                "Mô hình mới trong kỳ",
                "Mô hình kết thúc trong kỳ",
                "Điểm nhân rộng mới",
                "Mô hình đang xây dựng",
                "Điển hình đang hoạt động",
                "Điển hình mới trong kỳ",
                "Điển hình kết thúc trong kỳ",
            ]),
            rows: numbered(&t.dong, &|r| {
                vec![
                    n(r.mo_hinh.dang_hoat_dong),
                    n(r.mo_hinh.moi),
                    n(r.mo_hinh.ket_thuc),
                    n(r.mo_hinh.nhan_rong),
                    n(r.mo_hinh.dang_xay_dung),
                    n(r.dien_hinh.dang_hoat_dong),
                    n(r.dien_hinh.moi),
                    n(r.dien_hinh.ket_thuc),
                ]
            }),
        },
        Sheet {
            name: "Xếp loại".into(),
            columns: cols(&[
                "Tốt",
                "Khá",
                "Trung bình",
                "Yếu",
                "Tổng số được xếp loại",
                "Tỷ lệ Tốt (%)",
                "Tỷ lệ Khá trở lên (%)",
            ]),
            rows: numbered(&t.dong, &|r| {
                let x = &r.xep_loai;
                vec![
                    n(x.tot),
                    n(x.kha),
                    n(x.trung_binh),
                    n(x.yeu),
                    n(x.tong),
                    Cell::Number(x.ty_le_tot),
                    Cell::Number(x.ty_le_kha_tro_len),
                ]
            }),
        },
    ];
    if let Some(form) = &t.bang {
        let mut names = vec!["Số mô hình báo cáo".to_string()];
        names.extend(
            form.indicators
                .iter()
                .map(|i| format!("{} ({})", i.label, i.unit)),
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut columns = cols(&names);
        for c in columns.iter_mut().skip(3) {
            c.1 = 18.0;
        }
        out.push(Sheet {
            name: "Chỉ tiêu thống kê".into(),
            columns,
            rows: numbered(&t.dong, &|r| {
                let mut row = vec![n(r.don_vi_bao_cao)];
                row.extend(
                    form.indicators
                        .iter()
                        .map(|i| Cell::Number(r.thong_ke.get(&i.id).copied().unwrap_or(0.0))),
                );
                row
            }),
        });
    }
    out.push(Sheet {
        name: "Mô hình đang hoạt động".into(),
        columns: vec![
            ("TT".into(), 5.0),
            ("Hồ sơ".into(), 9.0),
            ("Tên mô hình".into(), 36.0),
            ("Địa bàn".into(), 24.0),
            ("Lĩnh vực".into(), 30.0),
            ("Ngày thành lập".into(), 14.0),
            ("Xếp loại gần nhất".into(), 14.0),
        ],
        rows: t
            .mo_hinh
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    n(i as u32 + 1),
                    Cell::from(m.ho_so.as_str()),
                    Cell::from(m.ten.as_str()),
                    Cell::from(m.dia_ban.as_str()),
                    Cell::from(m.linh_vuc.as_str()),
                    chrono::NaiveDate::parse_from_str(&m.thanh_lap, "%d/%m/%Y")
                        .map_or(Cell::Empty, Cell::Date),
                    Cell::from(m.xep_loai.as_str()),
                ]
            })
            .collect(),
    });
    out.push(Sheet {
        name: "Báo cáo trễ hạn".into(),
        columns: vec![
            ("TT".into(), 5.0),
            ("Hồ sơ".into(), 9.0),
            ("Mô hình, điển hình".into(), 36.0),
            ("Địa bàn".into(), 24.0),
            ("Báo cáo".into(), 22.0),
            ("Hạn".into(), 12.0),
        ],
        rows: t
            .tre_han
            .iter()
            .enumerate()
            .map(|(i, l)| {
                vec![
                    n(i as u32 + 1),
                    Cell::from(l.ho_so.as_str()),
                    Cell::from(l.ten.as_str()),
                    Cell::from(l.dia_ban.as_str()),
                    Cell::from(l.buoc.as_str()),
                    chrono::NaiveDate::parse_from_str(&l.han, "%d/%m/%Y")
                        .map_or(Cell::Empty, Cell::Date),
                ]
            })
            .collect(),
    });
    out
}

/// A number as Vietnamese print writes it: thousands with ".", decimals with ",".
pub fn so(v: f64) -> String {
    let neg = v < 0.0;
    let v = v.abs();
    let whole = v.trunc() as u64;
    let frac = ((v - v.trunc()) * 10.0).round() as u64;
    let (whole, frac) = if frac == 10 {
        (whole + 1, 0)
    } else {
        (whole, frac)
    };
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if frac > 0 {
        out.push(',');
        out.push_str(&frac.to_string());
    }
    if neg { format!("-{out}") } else { out }
}

/// The figures as a template reads them (`so_lieu`): every number already written out.
pub fn view(t: &TongHop) -> Value {
    let dem = |d: &super::Dem| {
        json!({
            "dang_hoat_dong": so(f64::from(d.dang_hoat_dong)),
            "moi": so(f64::from(d.moi)),
            "ket_thuc": so(f64::from(d.ket_thuc)),
            "nhan_rong": so(f64::from(d.nhan_rong)),
            "dang_xay_dung": so(f64::from(d.dang_xay_dung)),
        })
    };
    let row = |r: &Dong| {
        let x = &r.xep_loai;
        let chi_tieu: Vec<Value> = t
            .bang
            .iter()
            .flat_map(|f| &f.indicators)
            .map(|i| {
                json!({
                    "ma": i.id,
                    "ten": i.label,
                    "don_vi": i.unit,
                    "gia_tri": so(r.thong_ke.get(&i.id).copied().unwrap_or(0.0)),
                })
            })
            .collect();
        json!({
            "dia_ban": r.dia_ban,
            // The name starting a sentence or a footnote: "Huyện Đăk Hà".
            "dau_cau": crate::text::sentence_start(&r.dia_ban),
            "mo_hinh": dem(&r.mo_hinh),
            "dien_hinh": dem(&r.dien_hinh),
            "tong_dang_hoat_dong": so(f64::from(r.mo_hinh.dang_hoat_dong + r.dien_hinh.dang_hoat_dong)),
            "xep_loai": {
                "tot": so(f64::from(x.tot)), "kha": so(f64::from(x.kha)),
                "trung_binh": so(f64::from(x.trung_binh)), "yeu": so(f64::from(x.yeu)),
                "tong": so(f64::from(x.tong)),
                "ty_le_tot": so(x.ty_le_tot), "ty_le_kha": so(x.ty_le_kha),
                "ty_le_trung_binh": so(x.ty_le_trung_binh), "ty_le_yeu": so(x.ty_le_yeu),
                "ty_le_kha_tro_len": so(x.ty_le_kha_tro_len),
            },
            "bao_cao_tre_han": so(f64::from(r.bao_cao_tre_han)),
            "don_vi_bao_cao": so(f64::from(r.don_vi_bao_cao)),
            "chi_tieu": chi_tieu,
        })
    };
    // The rows that have something to say, for footnotes "huyện A 12 mô hình; huyện B 3 …".
    let active: Vec<Value> = t
        .dong
        .iter()
        .filter(|r| r.mo_hinh.dang_hoat_dong + r.dien_hinh.dang_hoat_dong > 0)
        .map(&row)
        .collect();
    let rated: Vec<Value> = t
        .dong
        .iter()
        .filter(|r| r.xep_loai.tong > 0)
        .map(&row)
        .collect();
    json!({
        "tinh": t.tinh,
        "ky": t.ky.label,
        "tu_ngay": t.ky.from.to_string(),
        "den_ngay": t.ky.to.to_string(),
        "cap": t.cap,
        "dong": t.dong.iter().map(&row).collect::<Vec<_>>(),
        "co_hoat_dong": active,
        "co_xep_loai": rated,
        "tong": row(&t.tong),
        "dia_ban_co_mo_hinh": so(f64::from(t.dia_ban_co_mo_hinh)),
        "so_dia_ban": so(f64::from(t.so_dia_ban)),
        "theo_linh_vuc": t.theo_linh_vuc.iter().map(|(k, v)| json!({"linh_vuc": k, "so_luong": so(f64::from(*v))})).collect::<Vec<_>>(),
        "theo_nam": t.theo_nam.iter().map(|(y, v)| json!({"nam": y.to_string(), "so_luong": so(f64::from(*v))})).collect::<Vec<_>>(),
        "mo_hinh": t.mo_hinh,
        "so_mo_hinh": so(t.mo_hinh.len() as f64),
        "tre_han": t.tre_han,
        "so_tre_han": so(t.tre_han.len() as f64),
        "ten_bang": t.bang.as_ref().map(|f| f.title.clone()).unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::so;

    #[test]
    fn numbers_as_vietnamese_print_writes_them() {
        assert_eq!(so(0.0), "0");
        assert_eq!(so(1234.0), "1.234");
        assert_eq!(so(74987.0), "74.987");
        assert_eq!(so(66.7), "66,7");
        assert_eq!(so(99.96), "100");
        assert_eq!(so(1234567.5), "1.234.567,5");
    }
}
